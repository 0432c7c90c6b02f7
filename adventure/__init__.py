"""adventure: a terminal text adventure engine and the Metallic Rouge retelling it ships."""

__version__ = "0.1.0"
