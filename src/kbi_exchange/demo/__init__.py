"""`kbi demo`: a complete demo home, both flows run end to end through the use cases, then both
nodes served. Imported only by that command, so that no other command pays for it."""
