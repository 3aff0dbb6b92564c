Feature: Context, Conditions And Loops
  As an implementer of the workflow DSL
  I want to ensure that export, if and for with while behave as the DSL says
  So that my implementation conforms to the expected behavior

  # Tests export.as into $context, read by a later task
  Scenario: Export To The Context
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: export-context
      version: '1.0.0'
    do:
      - getUser:
          set:
            name: Jane
            role: admin
          export:
            as: '${ $context + { user: .name } }'
      - greet:
          set:
            greeting: ${ "Hello " + $context.user }
            role: ${ .role }
    """
    When the workflow is executed
    Then the workflow should complete with output:
    """yaml
    greeting: Hello Jane
    role: admin
    """

  # Tests if: a false condition skips the task, whose input passes through
  Scenario: Skip A Task Whose Condition Is False
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: conditional-task
      version: '1.0.0'
    do:
      - applyDiscount:
          if: ${ .total > 100 }
          set:
            total: ${ .total * 0.9 }
            discounted: true
      - ship:
          set:
            shipped: ${ .total }
    """
    And given the workflow input is:
    """yaml
    total: 50
    """
    When the workflow is executed
    Then the workflow should complete with output:
    """yaml
    shipped: 50
    """
    And applyDiscount should be skipped
    And ship should run first

  # Tests for with while: the loop stops once the condition no longer holds
  Scenario: For Loop With While
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: for-while
      version: '1.0.0'
    do:
      - addUp:
          for:
            each: n
            in: .numbers
          while: ${ .total < 5 }
          do:
            - add:
                set:
                  total: ${ .total + $n }
                  added: ${ .added + [ $n ] }
    """
    And given the workflow input is:
    """yaml
    numbers: [ 1, 2, 3, 4, 5 ]
    total: 0
    added: []
    """
    When the workflow is executed
    Then the workflow should complete with output:
    """yaml
    total: 6
    added: [ 1, 2, 3 ]
    """
