"""Printed documents: certificates, forms and receipts rendered as PDF, and their signed verification payloads."""
