"""Background jobs of the shop assistant: recovery e-mails, WhatsApp webhook
processing, translations, rollups and health checks."""
