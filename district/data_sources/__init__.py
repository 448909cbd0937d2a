"""Citizen data from the departments' systems: the plugin interface, its resilience wrappers and the adapters.

The district is the gateway between kiosks and departmental systems (social insurance, housing fund, tax...).
Each system is reached through a data-source adapter registered under the `kiosk_district.data_sources` entry-point
group; `gateway.CitizenDataGateway` routes a record kind to its source, through retries and a circuit breaker, and
writes one audit row per fetch. See docs/data-sources.md.
"""
