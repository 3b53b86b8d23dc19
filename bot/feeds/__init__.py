"""Calendar feeds: fetching, parsing and syncing iCalendar feeds; /calendar export."""
