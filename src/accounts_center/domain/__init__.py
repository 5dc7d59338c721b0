"""Pure rules of the hub: no I/O, only the standard library and domain/ itself."""
