"""The network's calendar: school activities, network events and UNESCO international days in
month and list views, and the iCal feeds (network, country, school, a person's registrations)."""
