# The classic SAE hello world: a WSGI callable named "application" in index.wsgi.
def application(environ, start_response):
    status = '200 OK'
    response_headers = [('Content-type', 'text/plain')]
    start_response(status, response_headers)
    return [b'hello, world!\n']
