"""The Streamlit pages (Dutch UI). ``streamlit_app.py`` arranges them with ``st.navigation``.

Each page is a function taking no arguments; the library does the work (``omgevingskaart.viz``),
the pages only lay it out.
"""
