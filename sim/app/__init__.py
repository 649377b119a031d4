"""`caseload app`: a browser app (Streamlit) on the same engine as the command line.

`plan` turns the levers an analyst sets into scenario TOML, `session` runs the comparison in a
background thread into a results folder the session owns, and `page` is the Streamlit script.
"""
