"""长辈版, the elders' mode of the shell: larger type and targets, fewer choices per screen, speech, more time."""
