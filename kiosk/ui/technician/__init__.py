"""The technicians' mode in the shell: the corner gesture, the PIN pad and the diagnostics screens."""
