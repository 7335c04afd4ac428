"""Demo data: the synthetic demo municipality, its users and a year of quality work. It sits
above every component it fills."""
