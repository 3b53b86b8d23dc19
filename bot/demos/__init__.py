"""Demonstrations: reading admin input and dates, rendering cards and buttons, iCalendar export."""
