"""The stages a participant passes: Forum, Konsultation, Insatsmarknad, exit and follow-up."""
