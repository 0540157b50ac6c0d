#pragma once

#include "common/Error.h"
#include "net/HttpClient.h"

namespace sp::net {

// A request that failed for good, thrown by the per-API clients (Sheets, Figma) with a message
// already refined for the user. Callers that record runs read errorClass() for the run record.
//
// Kind: InvalidInput for a 400 (the request the user configured is wrong, e.g. a range that does
// not parse: fix the input, nothing was changed), Failure for everything else (the upstream could
// not be reached, refused access or stayed unhealthy).
class RequestError : public sp::Error
{
public:
    RequestError(HttpResponse response, QString message)
        : sp::Error(kindFor(response), std::move(message)), m_response(std::move(response)) {}
    explicit RequestError(const HttpResponse &response) : RequestError(response, response.message) {}
    // A failure found without a response of its own (a body of the wrong shape, an injected fault).
    RequestError(ErrorClass error, QString message) : RequestError(responseWith(error), std::move(message)) {}

    ErrorClass errorClass() const { return m_response.error; }
    const HttpResponse &response() const { return m_response; }

    static ErrorKind kindFor(const HttpResponse &response)
    {
        return response.error == ErrorClass::Http4xx && response.status == 400 ? ErrorKind::InvalidInput
                                                                               : ErrorKind::Failure;
    }

private:
    static HttpResponse responseWith(ErrorClass error)
    {
        HttpResponse r;
        r.error = error;
        return r;
    }

    HttpResponse m_response;
};

} // namespace sp::net
