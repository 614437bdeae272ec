"""HTTP only: parse, call a service, render a page, a fragment or JSON."""
