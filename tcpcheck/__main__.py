from tcpcheck.cli import run

run()
