"""Assure: holding-to-account meetings for Police and Crime Commissioners' offices."""
