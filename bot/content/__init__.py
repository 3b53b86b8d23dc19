"""The group's texts: parsing the corpus, searching statements, the facts table and its image."""
