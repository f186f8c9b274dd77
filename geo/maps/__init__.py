"""Map building blocks, one module per layer or control (as folium does with its plugins)."""
