-- wrk script: POST a valid login (the bench user registered by run.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.com","password":"Correct-Horse-Battery-9!"}'
