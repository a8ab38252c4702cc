"""The editors' inputs: CSV files read and written by the schema, validated, compared, documented."""
