"""One module per channel: how its requests are verified, split into deliveries and turned into leads."""
