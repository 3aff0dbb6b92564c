Feature: Retry
  As an implementer of the workflow DSL
  I want to ensure that a try task retries its tasks as its retry policy says
  So that transient failures do not fault the workflow

  # The stand-in answers 503 to the first 2 requests, then 200
  Scenario: Retry Until The Call Succeeds
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: retry-until-success
      version: '1.0.0'
    do:
      - tryFlaky:
          try:
            - callFlaky:
                call: http
                with:
                  method: get
                  endpoint:
                    uri: https://flaky.stand-in.test/flaky/until-success?failures=2
          catch:
            errors:
              with:
                type: https://serverlessworkflow.io/spec/1.0.0/errors/communication
                status: 503
            retry:
              delay:
                milliseconds: 100
              backoff:
                exponential: {}
              limit:
                attempt:
                  count: 3
    """
    When the workflow is executed
    Then the workflow should complete with output:
    """yaml
    attempt: 3
    key: until-success
    """
    And the stand-in should have received 3 requests for "/flaky/until-success?failures=2"
    And the workflow should have taken at least 300 ms

  # The stand-in fails 5 times; 2 retries are not enough
  Scenario: Retry Gives Up When Its Attempts Run Out
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: retry-gives-up
      version: '1.0.0'
    do:
      - tryFlaky:
          try:
            - callFlaky:
                call: http
                with:
                  method: get
                  endpoint:
                    uri: https://flaky.stand-in.test/flaky/gives-up?failures=5
          catch:
            errors:
              with:
                type: https://serverlessworkflow.io/spec/1.0.0/errors/communication
            retry:
              delay:
                milliseconds: 100
              backoff:
                constant: {}
              limit:
                attempt:
                  count: 2
    """
    When the workflow is executed
    Then the workflow should fault with error:
    """yaml
    type: https://serverlessworkflow.io/spec/1.0.0/errors/communication
    status: 503
    """
    And the stand-in should have received 3 requests for "/flaky/gives-up?failures=5"
