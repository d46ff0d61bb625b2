"""Identity half of the emulator: the Microsoft identity platform v2.0 endpoints msal talks to.

The rooms: `discovery` (OpenID configuration, JWKS, the error page), `token_endpoint` (/token and /devicecode,
every grant), `interactive` (/authorize, the sign-in and consent forms, /devicelogin, admin consent, logout),
`msi` (managed identity), and what they share: `clients` (tenant, app, redirect URI, client credential),
`scopes` (scope parsing and consent), `issuing` (token answers), `records` (what a run remembers between
requests), `errors` (the error shapes) and `pages` (the HTML). `routes` is the route table.
"""
