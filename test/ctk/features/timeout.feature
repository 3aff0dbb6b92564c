Feature: Timeout
  As an implementer of the workflow DSL
  I want to ensure that a task that overruns its timeout faults
  So that my implementation conforms to the expected behavior

  Scenario: Task Overruns Its Timeout
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: task-timeout
      version: '1.0.0'
    do:
      - slowTask:
          timeout:
            after:
              milliseconds: 200
          wait: PT5S
      - neverReached:
          set:
            reached: true
    """
    When the workflow is executed
    Then the workflow should fault with error:
    """yaml
    type: https://serverlessworkflow.io/spec/1.0.0/errors/timeout
    status: 408
    instance: /do/0/slowTask
    """
    And slowTask should fault with error:
    """yaml
    type: https://serverlessworkflow.io/spec/1.0.0/errors/timeout
    status: 408
    """
    And slowTask should run last

  Scenario: Workflow Overruns Its Timeout
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: workflow-timeout
      version: '1.0.0'
    timeout:
      after: PT0.3S
    do:
      - first:
          wait: PT0.2S
      - second:
          wait: PT0.2S
    """
    When the workflow is executed
    Then the workflow should fault with error:
    """yaml
    type: https://serverlessworkflow.io/spec/1.0.0/errors/timeout
    status: 408
    """
    And first should complete
    And second should run after first
