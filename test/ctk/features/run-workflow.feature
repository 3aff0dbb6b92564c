Feature: Run Workflow
  As an implementer of the workflow DSL
  I want to ensure that a task can run another registered workflow
  So that workflows can be composed

  Scenario: Run A Registered Workflow And Use Its Output
    Given a registered workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: ctk-own
      name: double
      version: '1.0.0'
    do:
      - doubleIt:
          set:
            doubled: ${ .n * 2 }
    """
    And a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: run-subflow
      version: '1.0.0'
    do:
      - runChild:
          run:
            workflow:
              namespace: ctk-own
              name: double
              version: '1.0.0'
              input:
                n: ${ .value }
      - useIt:
          set:
            result: ${ .doubled + 1 }
    """
    And given the workflow input is:
    """yaml
    value: 20
    """
    When the workflow is executed
    Then the workflow should complete with output:
    """yaml
    result: 41
    """
    And runChild should complete with output:
    """yaml
    doubled: 40
    """
    And runChild should run before useIt

  Scenario: A Faulted Child Workflow Faults Its Parent
    Given a registered workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: ctk-own
      name: refuse
      version: '1.0.0'
    do:
      - refuseIt:
          raise:
            error:
              type: https://serverlessworkflow.io/spec/1.0.0/errors/validation
              status: 400
              title: Refused
    """
    And a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: run-faulty-subflow
      version: '1.0.0'
    do:
      - runChild:
          run:
            workflow:
              namespace: ctk-own
              name: refuse
              version: '1.0.0'
    """
    When the workflow is executed
    Then the workflow should fault with error:
    """yaml
    type: https://serverlessworkflow.io/spec/1.0.0/errors/validation
    status: 400
    title: Refused
    """
    And runChild should fault
