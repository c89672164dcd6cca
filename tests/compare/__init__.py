"""Tests of tcpcheck compare."""
