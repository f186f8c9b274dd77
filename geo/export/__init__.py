"""Exports: standalone HTML maps, printable sheets."""
