package jobs

// timezoneHint guesses a shopper's time zone from their default address, for SMS quiet hours.
// Single-zone countries map directly; the large multi-zone ones map by province where the
// zone is unambiguous. Unknown → "" and the shop's time zone is used instead.
func timezoneHint(country, province string) string {
	if tz, ok := provinceZones[country+"-"+province]; ok {
		return tz
	}
	return countryZones[country]
}

var countryZones = map[string]string{
	"GB": "Europe/London", "IE": "Europe/Dublin", "FR": "Europe/Paris", "DE": "Europe/Berlin",
	"ES": "Europe/Madrid", "IT": "Europe/Rome", "NL": "Europe/Amsterdam", "BE": "Europe/Brussels",
	"PT": "Europe/Lisbon", "AT": "Europe/Vienna", "CH": "Europe/Zurich", "SE": "Europe/Stockholm",
	"NO": "Europe/Oslo", "DK": "Europe/Copenhagen", "FI": "Europe/Helsinki", "PL": "Europe/Warsaw",
	"CZ": "Europe/Prague", "GR": "Europe/Athens", "TR": "Europe/Istanbul", "JP": "Asia/Tokyo",
	"KR": "Asia/Seoul", "SG": "Asia/Singapore", "IN": "Asia/Kolkata", "NZ": "Pacific/Auckland",
	"ZA": "Africa/Johannesburg", "IL": "Asia/Jerusalem", "AE": "Asia/Dubai", "HK": "Asia/Hong_Kong",
}

var provinceZones = map[string]string{
	"US-NY": "America/New_York", "US-MA": "America/New_York", "US-FL": "America/New_York", "US-GA": "America/New_York",
	"US-PA": "America/New_York", "US-NJ": "America/New_York", "US-OH": "America/New_York", "US-NC": "America/New_York",
	"US-VA": "America/New_York", "US-IL": "America/Chicago", "US-TX": "America/Chicago", "US-MN": "America/Chicago",
	"US-WI": "America/Chicago", "US-MO": "America/Chicago", "US-CO": "America/Denver", "US-UT": "America/Denver",
	"US-AZ": "America/Phoenix", "US-CA": "America/Los_Angeles", "US-WA": "America/Los_Angeles",
	"US-OR": "America/Los_Angeles", "US-NV": "America/Los_Angeles", "US-HI": "Pacific/Honolulu",
	"CA-ON": "America/Toronto", "CA-QC": "America/Toronto", "CA-BC": "America/Vancouver", "CA-AB": "America/Edmonton",
	"AU-NSW": "Australia/Sydney", "AU-VIC": "Australia/Melbourne", "AU-QLD": "Australia/Brisbane",
	"AU-WA": "Australia/Perth", "AU-SA": "Australia/Adelaide",
}
