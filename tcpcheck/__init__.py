"""tcpcheck: write formal models of TCP connection management and model-check them."""

__version__ = "0.1.0"
