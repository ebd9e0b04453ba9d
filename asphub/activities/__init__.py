"""What a school does on UNESCO topics: projects, events, seminars, special lessons, campaign weeks,
international-day observances, exchanges and contests, with their participants (counts only),
partners, photos (with a recorded consent) and the practice they produced."""
