"""Camera management: validation, create/edit/remove, probes, controls, masks, config files."""
