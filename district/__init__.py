"""The reference district server (`kiosk-district`): enrollment, transaction ingest, catalogs, citizen data."""
