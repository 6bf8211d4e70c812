"""In-app notifications (inbox) and delivery channels."""
