/** @odoo-module **/
// Browser test of "Send to carrier" on a delivery order (run by
// tests/test_tour_send_to_carrier.py, which also runs the dispatch job).
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("logistics_send_to_carrier_tour", {
    test: true,
    steps: () => [
        {
            content: "The delivery order shows Send to carrier",
            trigger: ".o_form_view button[name=action_send_to_carrier]:contains(Send to carrier)",
        },
        {
            content: "Once clicked, the Carrier smart button shows the queued shipment",
            trigger: "button[name=action_open_logistics_shipment] .o_stat_value:contains(Queued)",
            isCheck: true,
        },
        {
            content: "and Send to carrier is gone (one shipment per attempt)",
            trigger: ".o_form_view:not(:has(button[name=action_send_to_carrier]))",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("logistics_label_arrived_tour", {
    test: true,
    steps: () => [
        {
            content: "Open the Additional Info tab of the delivery order",
            trigger: ".o_notebook .nav-link[name=extra]",
        },
        {
            content: "After the dispatch job, the tracking number is on the delivery order",
            trigger: ".o_field_widget[name=carrier_tracking_ref] input",
            run() {
                const value = this.$anchor.val();
                if (!value.startsWith("SIM")) {
                    throw new Error(`tracking number not shown, found "${value}"`);
                }
            },
        },
        {
            content: "Open the carrier shipment",
            trigger: "button[name=action_open_logistics_shipment]:contains(Label created)",
        },
        {
            content: "The shipment form shows its label, ready to open",
            trigger: ".o_form_view .o_field_widget[name=label_attachment_id]:contains(.pdf)",
            isCheck: true,
        },
        {
            content: "and the label-created event",
            trigger: ".o_form_view .o_field_widget[name=event_ids] .o_data_cell:contains(Label created)",
            isCheck: true,
        },
    ],
});
