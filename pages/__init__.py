"""The app's pages: one module per page with a function ``render()``, registered in ui/nav.py."""
