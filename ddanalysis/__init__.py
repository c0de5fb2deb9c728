"""ddanalysis."""
