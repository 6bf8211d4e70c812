"""Tenant registry, provisioning and resolution."""
