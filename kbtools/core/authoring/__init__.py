"""What writers run to change content: a new topic, a moved topic."""
