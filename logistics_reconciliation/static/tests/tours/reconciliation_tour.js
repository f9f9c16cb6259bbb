/** @odoo-module */
// Finance reconciles a matched freight invoice: disputes the overcharge,
// approves the matched line and creates the vendor bill.

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("logistics_reconciliation_tour", {
    test: true,
    steps: () => [
        {
            content: "Open the reconciliation wizard",
            trigger: ".o_form_view button[name='action_open_reconcile_wizard']",
        },
        {
            content: "The wizard shows the classes, problems first",
            trigger: "tr.table-active td:contains('Overcharge')",
            extra_trigger: ".o_freight_reconcile_summary",
            isCheck: true,
        },
        {
            content: "Dispute the overcharge",
            trigger: ".o_field_widget[name='decision'] input[data-value='dispute']",
        },
        {
            content: "Say why",
            trigger: ".o_field_widget[name='note'] textarea",
            run: "text Quoted 20.00 at dispatch",
        },
        {
            content: "Apply",
            trigger: "button[name='action_apply']",
        },
        {
            content: "Next class: the matched lines",
            trigger: "tr.table-active td:contains('Matched')",
            isCheck: true,
        },
        {
            content: "Approve them",
            trigger: "button[name='action_apply']",
        },
        {
            content: "Every line is reviewed",
            trigger: ".alert-success",
            isCheck: true,
        },
        {
            content: "Create the vendor bill",
            trigger: "button[name='action_create_vendor_bill']",
        },
        {
            content: "The vendor bill shows the approved freight",
            trigger: ".o_form_view div[name='invoice_line_ids'] td:contains('TOUR-INV-1')",
            isCheck: true,
        },
    ],
});
