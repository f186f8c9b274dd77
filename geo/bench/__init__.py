"""The benchmark (``python -m geo bench``): our map against the naive folium approach, and the
growth curve on synthetic coverages. See :mod:`geo.bench.run`."""
