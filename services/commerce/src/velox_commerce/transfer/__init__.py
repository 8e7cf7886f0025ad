"""Product import and export: CSV and Excel files in one column layout."""
