Feature: Listen Task
  As an implementer of the workflow DSL
  I want to ensure that listen tasks wait for the events published to the runtime
  So that my implementation conforms to the expected behavior

  # Tests listening to one event, woken by POST /v1/events
  Scenario: Listen To One Event
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: listen-one
      version: '1.0.0'
    do:
      - waitForOrder:
          listen:
            to:
              one:
                with:
                  type: io.yieldflow.ctk.listen-one.order.v1
    """
    When the workflow is executed
    And the workflow is waiting for events
    And the event is published:
    """yaml
    type: io.yieldflow.ctk.listen-one.order.v1
    source: https://ctk.yieldflow.test
    data:
      orderId: 42
    """
    Then the event should wake 1 task
    And the workflow should complete with output:
    """yaml
    - orderId: 42
    """
    And waitForOrder should complete

  # Tests that an event published shortly before the listener registers (while the task sleeps in warmUp)
  # is still delivered
  Scenario: Listen To An Event Published Before The Listener Registers
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: listen-early-event
      version: '1.0.0'
    do:
      - warmUp:
          wait: PT0.3S
      - waitForOrder:
          listen:
            to:
              one:
                with:
                  type: io.yieldflow.ctk.listen-early.order.v1
    """
    When the workflow is executed
    And the event is published:
    """yaml
    type: io.yieldflow.ctk.listen-early.order.v1
    source: https://ctk.yieldflow.test
    data:
      orderId: 7
    """
    Then the workflow should complete with output:
    """yaml
    - orderId: 7
    """
    And warmUp should run before waitForOrder

  # Tests listening to any of several events: the first wakes it, the others are no longer awaited
  Scenario: Listen To Any Event
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: listen-any
      version: '1.0.0'
    do:
      - waitForPayment:
          listen:
            to:
              any:
                - with:
                    type: io.yieldflow.ctk.listen-any.paid-by-card.v1
                - with:
                    type: io.yieldflow.ctk.listen-any.paid-in-cash.v1
    """
    When the workflow is executed
    And the workflow is waiting for events
    And the event is published:
    """yaml
    type: io.yieldflow.ctk.listen-any.paid-in-cash.v1
    source: https://ctk.yieldflow.test
    data:
      amount: 10
    """
    Then the event should wake 1 task
    And the workflow should complete with output:
    """yaml
    - amount: 10
    """
    When the event is published:
    """yaml
    type: io.yieldflow.ctk.listen-any.paid-by-card.v1
    source: https://ctk.yieldflow.test
    data:
      amount: 20
    """
    Then the event should wake 0 tasks

  # Tests listening to all of several events, in any order
  Scenario: Listen To All Events
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: listen-all
      version: '1.0.0'
    do:
      - waitForBoth:
          listen:
            to:
              all:
                - with:
                    type: io.yieldflow.ctk.listen-all.packed.v1
                - with:
                    type: io.yieldflow.ctk.listen-all.paid.v1
      - shipped:
          set:
            events: ${ length }
    """
    When the workflow is executed
    And the workflow is waiting for events
    And the event is published:
    """yaml
    type: io.yieldflow.ctk.listen-all.paid.v1
    source: https://ctk.yieldflow.test
    data:
      step: paid
    """
    And the workflow is waiting for events
    And the event is published:
    """yaml
    type: io.yieldflow.ctk.listen-all.packed.v1
    source: https://ctk.yieldflow.test
    data:
      step: packed
    """
    Then the workflow should complete with output:
    """yaml
    events: 2
    """
    And waitForBoth should run before shipped

  # Tests that a cancelled workflow's waiting listen task is cancelled: POST /v1/tasks/:id/cancel closes
  # the coroutine, and the trace records the `cancelled` phase of the task it was in.
  Scenario: Cancel A Listening Workflow
    Given a workflow with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: listen-cancelled
      version: '1.0.0'
    do:
      - waitForever:
          listen:
            to:
              one:
                with:
                  type: io.yieldflow.ctk.listen-cancelled.never.v1
    """
    When the workflow is executed
    And the workflow is waiting for events
    And the workflow is cancelled
    Then the workflow should cancel
    And waitForever should cancel
