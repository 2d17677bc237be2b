"""cse-desktop: offline casework for protecting children from exploitation."""

__version__ = "0.1.0"
