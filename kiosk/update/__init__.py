"""Software updates that cannot brick a kiosk: signed packages, versioned folders, a symlink switch, and an
automatic return to the previous version when the new one does not report READY=1 in time (deploy/updates.md).

Pure Python and the standard library only, no Qt: the installer runs as root outside the kiosk's processes.
"""
