#pragma once

#include "net/HttpClient.h"

namespace sp::net {

// What one client spent on an upstream, for the run record ("API calls, retries, 429s").
struct CallStats
{
    int apiCalls = 0; // requests actually sent, retries included
    int retries = 0;
    int http429 = 0;

    void add(const HttpResponse &r)
    {
        apiCalls += r.attempts;
        retries += r.retries;
        http429 += r.http429;
    }
    void add(const CallStats &o)
    {
        apiCalls += o.apiCalls;
        retries += o.retries;
        http429 += o.http429;
    }
};

} // namespace sp::net
