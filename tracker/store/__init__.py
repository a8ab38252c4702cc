"""The store: built from the validated inputs into Parquet, read through one DuckDB connection
per process. Every SQL statement of the project lives here."""
