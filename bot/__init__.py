"""NetPlugin Advisor: Flannel or Terway Edge for an ACK Edge cluster, explained and logged."""

__version__ = "0.1.0"
