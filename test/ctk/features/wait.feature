Feature: Wait Task
  As an implementer of the workflow DSL
  I want to ensure that wait tasks pause the workflow for their duration
  So that my implementation conforms to the expected behavior

  # Tests an ISO 8601 duration
  Scenario: Wait With An ISO 8601 Duration
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: wait-iso8601
      version: '1.0.0'
    do:
      - pause:
          wait: PT0.3S
      - done:
          set:
            waited: true
    """
    When the workflow is executed
    Then the workflow should complete with output:
    """yaml
    waited: true
    """
    And pause should have taken at least 300 ms
    And the workflow should have taken at least 300 ms
    And pause should run before done

  # Tests an inline duration; the task's input is its output
  Scenario: Wait With An Inline Duration
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: wait-inline
      version: '1.0.0'
    do:
      - pause:
          wait:
            milliseconds: 200
    """
    And given the workflow input is:
    """yaml
    color: red
    """
    When the workflow is executed
    Then the workflow should complete with output:
    """yaml
    color: red
    """
    And pause should complete with output:
    """yaml
    color: red
    """
    And pause should have taken at least 200 ms
