"""Importers: the shared source files, Federal Register rule documents, Consolidated
Screening List exports."""
