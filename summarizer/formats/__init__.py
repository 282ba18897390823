"""Readers for the binary formats reports arrive in, each turning one file into plain text.

Part of the ingest stage (ingest.py dispatches here by suffix). Every reader returns text in
reading order with each table (a PDF table, a Word table, a spreadsheet sheet) written as
tab-separated rows between blank lines, the form structure.py reads as a table, so later
stages see one kind of Document whatever the format. Readers import their third-party parser
only when a file of their kind arrives, and never print: a file they cannot read raises
InputError with a one-line reason.
"""
