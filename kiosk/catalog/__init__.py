"""Which catalog the terminal serves: the district's last good one, or the one it shipped with."""
